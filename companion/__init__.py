"""companion: an offline, hands-free voice companion for reflection and breathing breaks."""

__version__ = "0.1.0"
