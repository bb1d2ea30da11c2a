-- Who last changed a draft's text or file: approving a version you edited is self-approval too.
alter table document_versions add column last_edited_by bigint references users (id);
