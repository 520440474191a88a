"""kiosk-web: the waiting-room board and the room pages, served from the central database.

An ASGI app (Starlette, Jinja2 templates, Server-Sent Events) run by uvicorn; no Qt anywhere
here (tests/ui/web/test_web_app.py checks). Pages are plain HTML, CSS and JS from ``static/``
and ``templates/``: no build step, nothing fetched from outside. Each process keeps nothing
but caches: sessions are signed cookies, the queue lives in the database, so several
processes can serve one database.

==============  ===========================================================================
``main``        the ``kiosk-web`` command: configuration, database, uvicorn
``app``         :func:`create_app`: the routes of the board, its events and its voice
``room``        the room pages: sign-in (staff code + PIN, or the room's token) and the buttons
``sessions``    signed session cookies and CSRF tokens
``feed``        one watch of the database per process, fanned out to every board
``board``       what a board and a room page show, as plain data
==============  ===========================================================================
"""
