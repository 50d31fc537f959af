"""dapr-lint: finds the silent bugs of Dapr Python services and their resource files."""

__version__ = "0.1.0"
