"""The scanner's cameras: the webcam (``webcam.py``), pictures and video files (``files.py``)
and the demo's drawn patients (``demo.py``)."""
