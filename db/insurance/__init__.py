"""The insurance service: its transport (``http``), the card feed (``feed``), the BHXH gateway
check (``gateway``), and a simulator of both (``simulator`` over ``population``)."""
