import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';

/**
 * The comparison baseline: stock `@apollo/gateway` on `@apollo/server`, the same supergraph, no
 * authorisation, limits or audit of ours. It forwards the fixed bench token (subgraphs in BENCH_MODE)
 * on every subgraph call. Run by bench/main.ts as its own process:
 *   tsx bench/stock-gateway.ts <supergraph file> <port>   (BENCH_FIXED_INTERNAL_TOKEN in the environment)
 */
async function main(): Promise<void> {
  const [supergraphPath, port] = process.argv.slice(2);
  const token = process.env.BENCH_FIXED_INTERNAL_TOKEN;
  if (!supergraphPath || !port || !token) {
    process.stderr.write('usage: stock-gateway.ts <supergraph> <port> (BENCH_FIXED_INTERNAL_TOKEN set)\n');
    process.exit(1);
  }
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(supergraphPath, 'utf8'),
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource({
        url,
        willSendRequest({ request }) {
          request.http?.headers.set('authorization', `Bearer ${token}`);
        },
      }),
  });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, { listen: { port: Number(port), host: '127.0.0.1' } });
  process.stdout.write(`stock gateway listening on ${url}\n`);
  const stop = () => void server.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
