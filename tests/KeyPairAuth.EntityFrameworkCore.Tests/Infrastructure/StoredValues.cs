using System.Data.Common;
using KeyPairAuth.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace KeyPairAuth.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>Reads every column of every row of the KeyPairAuth tables with plain SQL (not through the store).</summary>
public static class StoredValues
{
    public static async Task<IReadOnlyCollection<object?>> ReadAllAsync(DbContext context)
    {
        List<object?> values = [];
        ISqlGenerationHelper sql = context.GetService<ISqlGenerationHelper>();
        DbConnection connection = context.Database.GetDbConnection();
        await context.Database.OpenConnectionAsync();
        try
        {
            foreach (Type entity in new[] { typeof(PublicKeyEntity), typeof(KeyOwnerEntity) })
            {
                IEntityType type = context.Model.FindEntityType(entity)!;
                await using DbCommand command = connection.CreateCommand();
                command.CommandText = $"SELECT * FROM {sql.DelimitIdentifier(type.GetTableName()!, type.GetSchema())}";
                await using DbDataReader reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    for (int i = 0; i < reader.FieldCount; i++)
                    {
                        values.Add(reader.GetValue(i));
                    }
                }
            }
        }
        finally
        {
            await context.Database.CloseConnectionAsync();
        }

        return values;
    }
}
