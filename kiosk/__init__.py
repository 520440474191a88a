"""The kiosk core: domain model, QR payload parsing, eligibility, the check-in use case, slips.

Pure Python. It never imports Qt, nor the ``ui``, ``scanner`` or ``db`` packages.
"""

__version__ = "0.1.0"
