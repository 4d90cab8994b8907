"""A fake WhatsApp Cloud API on loopback (being built: see the modules)."""
