import { loadGatewayConfig } from '../../gateway/config';

test('subgraph call timeouts: one default, overridden per subgraph, refused when out of range', () => {
  const cfg = loadGatewayConfig({ SUBGRAPH_TIMEOUT_MS: '8000', SUBGRAPH_TIMEOUT_MS_CHECKPOINTS: '1500' });
  expect(cfg.subgraphTimeoutMs).toEqual({ default: 8000, bySubgraph: { checkpoints: 1500 } });
  expect(loadGatewayConfig({}).subgraphTimeoutMs).toEqual({ default: 10_000, bySubgraph: {} });
  expect(() => loadGatewayConfig({ SUBGRAPH_TIMEOUT_MS_FEEDBACK: 'soon' })).toThrow(/SUBGRAPH_TIMEOUT_MS_FEEDBACK/);
  expect(() => loadGatewayConfig({ SUBGRAPH_TIMEOUT_MS: '5' })).toThrow(/SUBGRAPH_TIMEOUT_MS/);
});
