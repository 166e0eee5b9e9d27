"""Pure rules of the product: no framework, no database, plain data in and out."""
