"""BLE collector (transport protocol, recorder, live view): not built yet."""
