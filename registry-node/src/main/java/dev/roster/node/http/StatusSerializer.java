package dev.roster.node.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.roster.node.model.Status;
import java.io.IOException;

/** Writes a status as the discovery protocol does, its number ({@code "status":1}). */
final class StatusSerializer extends StdSerializer<Status> {
  StatusSerializer() {
    super(Status.class);
  }

  @Override
  public void serialize(Status status, JsonGenerator out, SerializerProvider provider)
      throws IOException {
    out.writeNumber(status.code());
  }
}
