"""Re-records a section's interactions from a live endpoint, without ever writing a credential."""
