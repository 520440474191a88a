"""Scripts for the repository's own documents, run from its root (``python -m tools.<name>``).

Not part of the installed kiosk: they import the core (``kiosk``) the way any caller does.
"""
