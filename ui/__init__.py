"""The full-screen Qt kiosk: screens, workers on threads, the GUI composition root."""
