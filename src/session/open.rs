//! How a document is opened for review: from a file or a set of documents, with the
//! annotation database, and what happens when a file changed since it was annotated.
