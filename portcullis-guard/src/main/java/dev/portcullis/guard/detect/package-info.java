/**
 * PII and secret detection: {@link dev.portcullis.guard.detect.Scanner} finds e-mail, phone, card, IBAN, SSN, IP,
 * MAC, national identifiers and credentials in one pass and reports {@link dev.portcullis.guard.detect.Finding}s
 * (type, span, confidence) without copying the matched values.
 */
package dev.portcullis.guard.detect;
