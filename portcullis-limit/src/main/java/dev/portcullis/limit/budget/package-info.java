/**
 * Daily and monthly token and spend budgets that reset at calendar boundaries in a tenant's time zone.
 * Counting runs through the limit store (the period is part of the key); {@link
 * dev.portcullis.limit.budget.UsageLedger} is the SPI a persistent backend implements.
 */
package dev.portcullis.limit.budget;
