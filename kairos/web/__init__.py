"""The pages: public status pages and the admin console, server-rendered with a small script per page;
:mod:`kairos.web.router` mounts them on the app."""
