"""Every change of Tube's state: publishing a file, processing it (one module per concern)."""
