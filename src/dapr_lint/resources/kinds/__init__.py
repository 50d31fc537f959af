"""One module per Dapr resource kind (and the run template): its schema as data and its rules."""
