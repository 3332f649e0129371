"""Text, JSON and figure reports (the only place that imports matplotlib)."""
