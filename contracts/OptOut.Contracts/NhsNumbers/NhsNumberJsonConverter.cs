using System.Text.Json;
using System.Text.Json.Serialization;

namespace OptOut.NhsNumbers;

/// <summary>Writes an NHS number as its ten digits and refuses to read anything that is not a valid one.</summary>
public sealed class NhsNumberJsonConverter : JsonConverter<NhsNumber>
{
    public override NhsNumber Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("An NHS number is written as a JSON string.");
        }

        return NhsNumber.TryParse(reader.GetString(), out var number, out var error)
            ? number
            : throw new JsonException(error);
    }

    public override void Write(Utf8JsonWriter writer, NhsNumber value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Value);
}
