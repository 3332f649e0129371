"""The recording library index and weekly aggregation: not built yet."""
