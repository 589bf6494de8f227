"""Document-type classification and the checks that judge a document."""
