"""Camera frames to debounced QR payload text: cameras, decoders, the scan loop. No Qt."""
