"""The kiosk's screens: plain widgets that show what they are given and emit what is touched."""
