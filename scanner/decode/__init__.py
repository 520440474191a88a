"""Reading QR codes in a frame: the chain and its gate (``chain.py``), the two libraries'
adapters (``zxing.py``, ``zbar.py``), and where a code may be in a frame (``regions.py``)."""
