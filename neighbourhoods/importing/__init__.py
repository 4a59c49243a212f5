"""The importers behind `import_addresses` and `import_boundaries`: reading files, checking rows,
writing them in one transaction, and the summary each command prints."""
