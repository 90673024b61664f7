/** Limit rules, plans and the price table as immutable, validated configuration values, and their parser. */
package dev.portcullis.limit.config;
