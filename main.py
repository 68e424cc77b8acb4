"""Start CollectDesk from a source checkout: python main.py [flags | command]."""

from collectdesk.cli import main

raise SystemExit(main())
