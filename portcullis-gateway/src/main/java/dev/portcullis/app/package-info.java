/** The composition root: which configuration sections exist, and how features become stages and admin routes. */
package dev.portcullis.app;
