"""Named codecs for packets a struct layout cannot express."""
