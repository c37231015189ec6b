"""ispbox: configuration and the command line that wires the invoices module together."""
