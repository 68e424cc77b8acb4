"""Help menu: pop-up help on or off, help for the form and field you are in."""

from __future__ import annotations

from .base import Command


class PopupHelp(Command):
    text = "&Pop-up Help"
    checkable = True
    help = "Show a field's help when the mouse rests on it."

    def __init__(self, window) -> None:
        super().__init__(window)
        self.action.setChecked(window.ctx.popup_help)
        window.ctx.popup_help_changed.connect(self.action.setChecked)  # set at each sign-on

    def run(self) -> None:
        self.ctx.set_popup_help(self.action.isChecked())


class HelpForThisForm(Command):
    text = "Help for This &Form"
    shortcut = "F1"
    help = "What this form is for and what the field you are in means."

    def run(self) -> None:
        self.window.show_context_help()


class Keyboard(Command):
    text = "&Keyboard"
    help = "The keys that work everywhere."

    def run(self) -> None:
        self.window.show_keyboard_help()


class About(Command):
    text = "&About CollectDesk"

    def run(self) -> None:
        self.window.show_about()


MENU = [PopupHelp, HelpForThisForm, Keyboard, None, About]
