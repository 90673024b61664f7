package dev.portcullis.identity.store;

/** Whether a stored principal is a machine caller or a person. */
public enum PrincipalKind {
  APPLICATION,
  USER
}
