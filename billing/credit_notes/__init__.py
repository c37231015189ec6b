"""Credit notes: crediting an issued invoice in whole or in part, with their own number series."""
