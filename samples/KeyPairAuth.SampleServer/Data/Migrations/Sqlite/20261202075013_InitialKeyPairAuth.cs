using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KeyPairAuth.SampleServer.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InitialKeyPairAuth : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "keypairauth_key_owners",
                columns: table => new
                {
                    owner = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_keypairauth_key_owners", x => x.owner);
                });

            migrationBuilder.CreateTable(
                name: "keypairauth_keys",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    key_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    owner = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    public_key = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    scopes = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    expires_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    revoked_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    last_used_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_keypairauth_keys", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_keypairauth_keys_key_id",
                table: "keypairauth_keys",
                column: "key_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_keypairauth_keys_owner",
                table: "keypairauth_keys",
                column: "owner");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "keypairauth_key_owners");

            migrationBuilder.DropTable(
                name: "keypairauth_keys");
        }
    }
}
