"""Firmware profiles and packet decoders: not built yet."""
