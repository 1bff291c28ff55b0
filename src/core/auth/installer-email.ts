/**
 * The email of the first-run installer superuser (docs/security.md, "First-run install
 * link"), PocketBase's `core.DefaultInstallerEmail`. Apart from the installer itself so
 * that the record pipeline can tell it from real superusers without importing auth.
 */
export const INSTALLER_EMAIL = '__pbinstaller@example.com';
