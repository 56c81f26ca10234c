"""What leaves the service: public figures under k-suppression, map tiles, and the control
panel's figures."""
