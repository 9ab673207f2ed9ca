import { NavLink, Route, Routes } from "react-router";

import { LocalTools } from "./components/LocalTools.tsx";
import { NetworkPrompt, WalletButton } from "./components/Wallet.tsx";
import { Contributions } from "./pages/Contributions.tsx";
import { History } from "./pages/History.tsx";
import { Members } from "./pages/Members.tsx";
import { Membership } from "./pages/Membership.tsx";
import { NewProposal } from "./pages/NewProposal.tsx";
import { Overview } from "./pages/Overview.tsx";
import { ProposalDetail } from "./pages/ProposalDetail.tsx";
import { Proposals } from "./pages/Proposals.tsx";
import { Page } from "./components/common.tsx";
import { RelayerSetting } from "./components/RelayerSetting.tsx";

const links: [string, string][] = [
  ["/", "Overview"],
  ["/proposals", "Proposals"],
  ["/members", "Members"],
  ["/contributions", "Contributions"],
  ["/me", "My membership"],
  ["/history", "History"],
];

export function App() {
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <div className="top-inner">
          <NavLink to="/" className="brand">
            <span className="brand-mark" aria-hidden="true">
              ◐
            </span>{" "}
            Mutual
          </NavLink>
          <nav aria-label="Main">
            {links.map(([to, label]) => (
              <NavLink key={to} to={to} end={to === "/"}>
                {label}
              </NavLink>
            ))}
          </nav>
          <WalletButton />
        </div>
      </header>
      <NetworkPrompt />
      <LocalTools />
      <Routes>
        <Route path="/" element={<Overview />} />
        <Route path="/proposals" element={<Proposals />} />
        <Route path="/proposals/:number" element={<ProposalDetail />} />
        <Route path="/new" element={<NewProposal />} />
        <Route path="/members" element={<Members />} />
        <Route path="/contributions" element={<Contributions />} />
        <Route path="/me" element={<Membership />} />
        <Route path="/history" element={<History />} />
        <Route path="*" element={<Page title="Not found">There is no such page.</Page>} />
      </Routes>
      <footer className="foot">
        <RelayerSetting />
        <p className="muted small">
          Mutual — one member, one equal voice. Every figure here is read from the chain or rebuilt from its events.
        </p>
      </footer>
    </>
  );
}
