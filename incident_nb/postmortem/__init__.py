"""The post-mortem: Markdown sections from the record, the Markdown document, the HTML export."""
