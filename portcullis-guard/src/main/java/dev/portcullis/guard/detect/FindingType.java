package dev.portcullis.guard.detect;

/** What a detector found. {@link #label()} is the redaction placeholder name, e.g. {@code [EMAIL]}. */
public enum FindingType {
  EMAIL(Category.PII, "EMAIL"),
  PHONE(Category.PII, "PHONE"),
  CREDIT_CARD(Category.PII, "CREDIT_CARD"),
  IBAN(Category.PII, "IBAN"),
  US_SSN(Category.PII, "US_SSN"),
  IP_ADDRESS(Category.PII, "IP_ADDRESS"),
  MAC_ADDRESS(Category.PII, "MAC_ADDRESS"),
  UK_NINO(Category.PII, "UK_NINO"),
  CA_SIN(Category.PII, "CA_SIN"),
  IN_AADHAAR(Category.PII, "IN_AADHAAR"),
  IN_PAN(Category.PII, "IN_PAN"),
  AWS_ACCESS_KEY(Category.SECRET, "AWS_ACCESS_KEY"),
  AWS_SECRET_KEY(Category.SECRET, "AWS_SECRET_KEY"),
  GITHUB_TOKEN(Category.SECRET, "GITHUB_TOKEN"),
  GITLAB_TOKEN(Category.SECRET, "GITLAB_TOKEN"),
  SLACK_TOKEN(Category.SECRET, "SLACK_TOKEN"),
  STRIPE_KEY(Category.SECRET, "STRIPE_KEY"),
  OPENAI_KEY(Category.SECRET, "OPENAI_KEY"),
  ANTHROPIC_KEY(Category.SECRET, "ANTHROPIC_KEY"),
  GOOGLE_API_KEY(Category.SECRET, "GOOGLE_API_KEY"),
  JWT(Category.SECRET, "JWT"),
  PRIVATE_KEY(Category.SECRET, "PRIVATE_KEY"),
  NPM_TOKEN(Category.SECRET, "NPM_TOKEN"),
  PYPI_TOKEN(Category.SECRET, "PYPI_TOKEN"),
  SENDGRID_KEY(Category.SECRET, "SENDGRID_KEY"),
  BASIC_AUTH_URL(Category.SECRET, "BASIC_AUTH"),
  DISCORD_TOKEN(Category.SECRET, "DISCORD_TOKEN"),
  MAILCHIMP_KEY(Category.SECRET, "MAILCHIMP_KEY"),
  TELEGRAM_TOKEN(Category.SECRET, "TELEGRAM_TOKEN"),
  ARTIFACTORY_TOKEN(Category.SECRET, "ARTIFACTORY_TOKEN"),
  TWILIO_KEY(Category.SECRET, "TWILIO_KEY"),
  AZURE_STORAGE_KEY(Category.SECRET, "AZURE_STORAGE_KEY"),
  SQUARE_TOKEN(Category.SECRET, "SQUARE_TOKEN"),
  GENERIC_SECRET(Category.SECRET, "SECRET");

  /** Personal data or credentials. */
  public enum Category {
    PII,
    SECRET
  }

  private final Category category;
  private final String label;

  FindingType(Category category, String label) {
    this.category = category;
    this.label = label;
  }

  public Category category() {
    return category;
  }

  public String label() {
    return label;
  }
}
