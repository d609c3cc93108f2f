import { Text, View } from 'react-native';

export default function App() {
  return (
    <View>
      <Text>Loading…</Text>
    </View>
  );
}
