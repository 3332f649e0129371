"""Pure signal processing over arrays: filters, orientation, resampling, activity, contacts."""
