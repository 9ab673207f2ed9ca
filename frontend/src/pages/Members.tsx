import { Page, WithCoop, Empty } from "../components/common.tsx";
import { when } from "../lib/format.ts";
import { demoName as nameOf } from "../wallet/config.ts";

export function Members() {
  return (
    <WithCoop>
      {({ view }) => {
        const members = view.members.filter((m) => m.isMember).sort((a, b) => Number(a.cardId - b.cardId));
        const former = view.members.filter((m) => !m.isMember);
        return (
          <Page title="Members" lead={`${members.length} members hold a card; each has the same voice.`}>
            {members.length === 0 ? (
              <Empty>No members yet.</Empty>
            ) : (
              <div className="table-wrap">
                <table>
                  <caption className="sr-only">Current members</caption>
                  <thead>
                    <tr>
                      <th scope="col">Card</th>
                      <th scope="col">Member</th>
                      <th scope="col" className="wide-only">
                        Since
                      </th>
                      <th scope="col" className="num">
                        Credits
                      </th>
                      <th scope="col" className="num wide-only">
                        Proposals
                      </th>
                      <th scope="col" className="num">
                        Votes
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {members.map((m) => (
                      <tr key={m.address}>
                        <td>#{m.cardId.toString()}</td>
                        <td>
                          {nameOf(m.address) && <strong>{nameOf(m.address)} </strong>}
                          <code className="addr">{m.address}</code>
                        </td>
                        <td className="wide-only">{when(m.since)}</td>
                        <td className="num">{m.balance.toString()}</td>
                        <td className="num wide-only">{m.proposalsMade}</td>
                        <td className="num">{m.votesCast}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {former.length > 0 && (
              <section className="card">
                <h2>Former members</h2>
                <ul className="plain list">
                  {former.map((m) => (
                    <li key={m.address}>
                      <code className="addr">{m.address}</code> — {m.status}
                    </li>
                  ))}
                </ul>
              </section>
            )}
          </Page>
        );
      }}
    </WithCoop>
  );
}
