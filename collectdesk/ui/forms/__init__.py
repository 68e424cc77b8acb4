"""Rendering the declarative forms of ``forms/``: one registry of editors, one renderer."""
