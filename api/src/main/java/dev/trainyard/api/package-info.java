/**
 * Request and response records of the Trainyard REST API, shared by the server and the Java client.
 *
 * <p>Field names are written in snake_case on the wire; timestamps are RFC 3339 UTC strings.
 */
package dev.trainyard.api;
