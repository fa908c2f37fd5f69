// The NHS.UK frontend's own behaviour, from the npm package the build copies in: above all, an error summary takes focus
// when its page loads. Every page works without this script (the summary's autofocus attribute does the same there).
import { initAll } from '/nhsuk/nhsuk-frontend.min.js';

// The classes the design system's page template sets with an inline script, which this content security policy forbids.
document.body.classList.add('js-enabled', 'nhsuk-frontend-supported');
initAll();
