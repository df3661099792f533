"""rsnet-analysis: challenge analysis of Japanese municipal free-text survey answers."""

__version__ = "0.1.0"
