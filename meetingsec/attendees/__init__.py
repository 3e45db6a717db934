"""A meeting's approved attendee list: added one by one or imported, approved by the chair,
and each attendee's invitation with a personal QR code."""
