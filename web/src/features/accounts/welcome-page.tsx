import { renderToStaticMarkup } from 'react-dom/server';
import { MemoryRouter } from 'react-router';
import button from '../../ui/button.css?inline';
import base from '../../ui/base.css?inline';
import tokens from '../../ui/tokens.css?inline';
import auth from './auth.css?inline';
import { WelcomeScreen } from './WelcomeScreen.tsx';

/**
 * The welcome screen rendered once, at build time, to static HTML with the CSS it needs
 * (web/build-output.ts writes it to `welcome.html`). The server sends it to signed-out visitors
 * of `/` and `/welcome`: the first screen paints with the HTML, with no script to download and
 * run first (the app's boot is what made the signed-out home slow on phones). Its links are
 * plain links to /signup and /login, which load the app.
 */
export function renderWelcomePage(): { markup: string; css: string } {
  const markup = renderToStaticMarkup(
    <MemoryRouter>
      {/* The app draws signed-out screens in the same landmark (app/shell/AppShell.tsx BareShell). */}
      <main className="bare">
        <WelcomeScreen />
      </main>
    </MemoryRouter>,
  );
  return { markup, css: [tokens, base, button, auth].join('\n') };
}
